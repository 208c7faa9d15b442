"""Developer tools on top of the domain apps: the demo (`manage.py load_demo`), the
benchmarks (`bench_attendance`, `bench_promotion`) and the load script's commands
(`prepare_load`, `verify_load`; the script itself is `loadtest/run.sh`).

It may import every app; no domain app imports it.
"""
