// The correct fix of test/fixtures/py-inventory's planted bug, as a model would write it
// (a SEARCH/REPLACE block after a line of reasoning). Scripted conversations in several suites play it.
export const FIX_BLOCK = [
  'The comparison excludes the threshold itself; it must include it.',
  '',
  'inventory/pricing.py',
  '<<<<<<< SEARCH',
  '    if quantity > BULK_THRESHOLD:',
  '=======',
  '    if quantity >= BULK_THRESHOLD:',
  '>>>>>>> REPLACE',
  '',
].join('\n');
