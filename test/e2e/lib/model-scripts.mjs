// Scripted model conversations for the fixture py-inventory (bug: `quantity > BULK_THRESHOLD` in
// inventory/pricing.py bulk_discount; fix `>=`). Turns are conditional on the system prompt and the
// tools the session offers, so one script serves the reproduction test, the search rounds, the
// location report and the patch requests.
export const FIX_BLOCK = [
  'inventory/pricing.py',
  '```python',
  '<<<<<<< SEARCH',
  '    if quantity > BULK_THRESHOLD:',
  '=======',
  '    if quantity >= BULK_THRESHOLD:',
  '>>>>>>> REPLACE',
  '```',
].join('\n');

/** The reproduction test the scripted model writes: it fails on the fixture's code by assertion. */
export const REPRO_FILE = 'tests/test_repro_threshold.py';
export const REPRO_TEST = [
  `FILE: ${REPRO_FILE}`,
  '```python',
  'from inventory.pricing import bulk_discount',
  '',
  '',
  'def test_ten_units_get_the_bulk_discount():',
  '    assert bulk_discount(10, 20.0) == 2.0',
  '```',
].join('\n');

export function fixScript({ chunkDelayMs = 0 } = {}) {
  return [
    { when: { systemIncludes: 'reproduces a reported bug' }, text: `A test for exactly ten units.\n\n${REPRO_TEST}\n`, repeat: true, chunkDelayMs },
    { when: { toolOffered: 'search_method' }, text: 'Looking at the discount code.', toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }], chunkDelayMs },
    { when: { toolOffered: 'search_class' }, toolCalls: [{ name: 'search_class', args: { class_name: 'PriceCalculator' } }], chunkDelayMs },
    {
      when: { toolOffered: 'report_bug_locations' },
      toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'Orders of exactly BULK_THRESHOLD units get the bulk discount (>= instead of >).' }] } }],
      repeat: true,
    },
    { when: { systemIncludes: 'edit block' }, text: `The comparison must include the threshold.\n\n${FIX_BLOCK}\n`, repeat: true, chunkDelayMs },
  ];
}

/** Every call hangs before answering: a run stays busy until cancelled. */
export function slowScript(delayMs = 120_000) {
  return [{ delayMs, text: 'still thinking', repeat: true }];
}

/** A 500, then streams that drop mid-way, on every retry the client makes. */
export function brokenScript() {
  return [
    { status: 500, times: 1, body: { type: 'error', error: { type: 'api_error', message: 'scripted internal error' } } },
    { cutStreamAfterBytes: 120, repeat: true, text: 'This answer is cut off long before its end, because the server drops the connection.' },
  ];
}
