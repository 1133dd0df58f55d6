-- Run on every connection hamflow opens: timestamps read back, and dates derived from them in
-- SQL, are in UTC whatever the machine's time zone (local time is stored explicitly).
SET TimeZone = 'UTC';
