-- `hamflow export`: the session's settings an export changes, to put them back when it ends.
SELECT current_setting('memory_limit'), current_setting('partitioned_write_flush_threshold'), current_setting('threads');
