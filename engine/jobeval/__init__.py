"""Job evaluation: rater panels, point tables, weighted totals, job-grade bands and committees."""

from engine.jobeval.committee import MEETING_COUNTS, check_meeting
from engine.jobeval.job import Adjustment, JobInput, Rating, job_from_record
from engine.jobeval.points import evaluate_job
from engine.jobeval.result import JobResult
from engine.jobeval.run import JobData, JobLine, JobReport, build_job_report

__all__ = [
    "MEETING_COUNTS",
    "Adjustment",
    "JobData",
    "JobInput",
    "JobLine",
    "JobReport",
    "JobResult",
    "Rating",
    "build_job_report",
    "check_meeting",
    "evaluate_job",
    "job_from_record",
]
