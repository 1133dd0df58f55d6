-- `hamflow export`: what one unpartitioned export holds, as a row count and an order-free sum of
-- row hashes (`_export_rows`: the export's rows). Equal fingerprints mean equal files.
SELECT count(*) AS n, coalesce(sum(hash(r)), 0) AS h FROM _export_rows AS r;
