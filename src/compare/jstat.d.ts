/** The part of jstat (which ships no types) that mlp-lab uses. */
declare module 'jstat' {
  interface JStat {
    /** Two-sided (sides 2) or one-sided p-value of the one-sample t-test of `values` against `mean`. */
    ttest(mean: number, values: readonly number[], sides: 1 | 2): number;
    studentt: { cdf(x: number, dof: number): number; pdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    normal: { cdf(x: number, mean: number, std: number): number };
  }
  const jStat: JStat;
  export default jStat;
}
