// Validating a patch: the project's tests before and after it in an isolated checkout, the verdict,
// which regression tests guard a change, and the choice among candidate patches.
export * from './types';
export { validatePatch, applyPatch, type ValidatePatchOptions, type ValidationDetails } from './validate-patch';
export { judge } from './judge';
export { selectRegressionTests, changedFiles, imports, type RegressionSelection, type RegressionSelectionOptions, type CoverageInput } from './regression';
export { chooseCandidate, normalizePatch, type ChooseOptions, type ChooseResult } from './choose';
