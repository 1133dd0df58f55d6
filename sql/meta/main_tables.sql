-- The tables of the database file: none means a new database, tables without hamflow_meta mean
-- somebody else's.
SELECT table_name FROM information_schema.tables WHERE table_schema = 'main';
