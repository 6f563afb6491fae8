// Public surface of fault localization.
export { localize, topSuspects, coveredLines, NO_FAILING_MESSAGE, type LocalizeOptions } from './localize';
export { suspiciousness, lineSpectra } from './sbfl';
export { rankFunctions, enclosingFunction } from './rank';
export { identifierTokens, issueSimilarity, stackFrames } from './evidence';
export { matchTestIds, normalizeTestId, testFileOf } from '../runner/test-ids';
export { CoverageCache, treeState, defaultLocalizeCacheDir } from './coverage-cache';
export * from './types';
