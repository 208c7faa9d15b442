"""Bad input, property-based: the JSON endpoints (test_json), the main HTML forms
(test_forms), marking a period and correcting a saved mark (test_marking), the promotion
wizard (test_promotion_wizard) and the query strings of the main list pages
(test_list_pages). Each module's docstring lists what it sends.

A refused POST must answer a 4xx, or the page (or htmx fragment) again with the error
shown; never a 5xx, never a redirect (the views redirect only after saving); and the
academics (promotion tables included), attendance, billing and credits tables must be as
they were. A GET with a junk query string must never answer a 5xx nor write anything.
Every example runs in a savepoint that is rolled back (`tests.snapshots.rolled_back`),
so the world a test builds once is the same for each example.
"""
