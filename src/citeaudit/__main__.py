"""python -m citeaudit"""

from .cli import main

raise SystemExit(main())
