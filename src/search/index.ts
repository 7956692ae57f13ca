export {
  searchSpace, spaceSize, dimensionProblem, configurationKey,
  type Space, type Dimension, type DimensionKind, type Configuration,
} from './space.ts';
export {
  proposeRound, searchRounds, roundBrackets, searchEpochs, plannedTrials, randomProposals, sobolProposals,
  type SearchMethod, type SearchOptions, type Proposal, type TrialResult,
} from './propose.ts';
export { metricDirection, type Direction } from './direction.ts';
export { DEFAULT_TPE_OPTIONS, type TpeOptions } from './tpe.ts';
export {
  pruningBrackets, promote, rungEpochs, bracketEpochs, restartEpochs,
  type PrunerMethod, type PrunerOptions, type Bracket, type Rung, type RungResult,
} from './pruning.ts';
