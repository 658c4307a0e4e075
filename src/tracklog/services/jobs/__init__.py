"""Bulk jobs (SPEC §7): planned, guarded, journalled, abortable, resumable, restorable."""
