-- Call search: every run of four digits or more inside a call's numbers is its own token, so a
-- digit query is one exact-token lookup (db::calls::number_tokens) rather than a prefix query that
-- merges the posting lists of many tokens. Calls indexed before this carried only each number's
-- suffixes (or, before 0010, the whole number): their documents are rewritten here.
UPDATE calls SET search_doc = to_tsvector('english',
    COALESCE((SELECT string_agg(substr(replace(from_number, '+', ''), p, l), ' ') FROM generate_series(1, 15) p, generate_series(4, 15) l
              WHERE p + l - 1 <= length(replace(from_number, '+', '')) AND replace(from_number, '+', '') ~ '^[0-9]+$'), '') || ' ' ||
    COALESCE((SELECT string_agg(substr(replace(to_number, '+', ''), p, l), ' ') FROM generate_series(1, 15) p, generate_series(4, 15) l
              WHERE p + l - 1 <= length(replace(to_number, '+', '')) AND replace(to_number, '+', '') ~ '^[0-9]+$'), '') || ' ' ||
    COALESCE((SELECT string_agg(s.value ->> 'text', ' ') FROM jsonb_array_elements(transcript::jsonb) s), ''));
