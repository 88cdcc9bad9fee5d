-- Visits written before search keys existed (0005) get theirs when the diary opens
-- (`fill_search_keys`). This index holds only such visits, so that on a diary with none,
-- the question "are there any" costs nothing instead of reading every visit at each opening.
CREATE INDEX visits_without_search_key ON visits (id) WHERE search_key = '';
