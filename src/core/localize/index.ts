// Public surface of fault localization.
export { localize, toAgentLocalization, coveredLines, NO_FAILING_MESSAGE, type LocalizeOptions } from './localize';
export { suspiciousness, lineSpectra } from './sbfl';
export { rankFunctions, enclosingFunction } from './rank';
export { identifierTokens, issueSimilarity, stackFrames } from './hints';
export { matchTestIds, normalizeTestId, testFileOf } from './ids';
export { CoverageCache, treeState, defaultLocalizeCacheDir } from './cache';
export * from './types';
