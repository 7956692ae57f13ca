export {
  searchSpace,
  dimensionProblem,
  configurationKey,
  type Space,
  type Dimension,
  type Configuration,
} from './space.ts';
export {
  proposeRound,
  searchRounds,
  roundBrackets,
  searchEpochs,
  plannedTrials,
  randomProposals,
  sobolProposals,
  type SearchMethod,
  type SearchOptions,
  type Proposal,
  type TrialResult,
} from './propose.ts';
export { metricDirection, type Direction } from './direction.ts';
export { DEFAULT_TPE_OPTIONS } from './tpe.ts';
export {
  pruningBrackets,
  promote,
  rungEpochs,
  bracketEpochs,
  restartEpochs,
  type PrunerOptions,
  type Bracket,
} from './pruning.ts';
