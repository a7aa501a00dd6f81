-- Call search: every run of four digits or more inside a call's numbers is its own token, so a
-- digit query is one exact-token lookup (db::calls::number_tokens) rather than a prefix query that
-- merges the posting lists of many tokens in memory. Calls indexed before this carried only each
-- number's suffixes (or, before 0010, the whole number): their documents are rewritten here.
-- (A run that occurs twice in a number is written twice here; the engine only counts it twice.)
-- Emptied and refilled rather than replaced row by row: a million calls take minutes either way,
-- and replacing each row (a delete and an insert) took about three times as long.
INSERT INTO calls_fts (calls_fts) VALUES ('delete-all');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15)
INSERT INTO calls_fts (rowid, doc)
SELECT c.search_key,
       COALESCE((SELECT group_concat(substr(replace(c.from_number, '+', ''), p.i, l.i), ' ') FROM n p, n l
                 WHERE l.i >= 4 AND p.i + l.i - 1 <= length(replace(c.from_number, '+', ''))
                   AND NOT replace(c.from_number, '+', '') GLOB '*[^0-9]*'), '') || ' ' ||
       COALESCE((SELECT group_concat(substr(replace(c.to_number, '+', ''), p.i, l.i), ' ') FROM n p, n l
                 WHERE l.i >= 4 AND p.i + l.i - 1 <= length(replace(c.to_number, '+', ''))
                   AND NOT replace(c.to_number, '+', '') GLOB '*[^0-9]*'), '') || ' ' ||
       COALESCE((SELECT group_concat(json_extract(s.value, '$.text'), ' ') FROM json_each(c.transcript) s), '')
FROM calls c
WHERE c.search_key IS NOT NULL;
