"""The benchmarks behind `manage.py bench_attendance` (`attendance_*`) and
`manage.py bench_promotion` (`promotion`): not tests, timings of the application against
the same numbers computed directly."""
