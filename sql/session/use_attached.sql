-- The database attached by attach_for_writing.sql is where unqualified names are looked up.
USE hamflow;
