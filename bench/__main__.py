"""``python -m bench``: time every view on a million incidents (see bench/views.py)."""

from bench.views import main

raise SystemExit(main())
