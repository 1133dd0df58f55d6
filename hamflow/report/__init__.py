"""What hamflow shows people: the offline dashboard (:func:`load`, :func:`render_report`: one
self-contained HTML file per database), the run summary (:mod:`.run_summary`), what next per
athlete (:mod:`.guidance`, for ``hamflow next``; its rules are :mod:`hamflow.model.guidance`), one file's
explanation (:mod:`.explain`), terminal tables (:mod:`.tables`) and the model's sensitivity
table (:mod:`.sensitivity`).

Nothing is imported here: the charts need Altair, which costs a command that only prints a
table (``hamflow ingest``'s summary among them) almost half its start-up time."""
