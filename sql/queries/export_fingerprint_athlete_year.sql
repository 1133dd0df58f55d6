-- `hamflow export`: what each athlete-year partition holds, as a row count and an order-free sum
-- of row hashes (`_export_rows`: the export's rows). Equal fingerprints mean equal files.
SELECT athlete_id, year, count(*) AS n, sum(hash(r)) AS h FROM _export_rows AS r GROUP BY athlete_id, year;
