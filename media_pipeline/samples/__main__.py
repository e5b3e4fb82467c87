"""``python -m media_pipeline.samples DEST``."""

import sys

from . import main

sys.exit(main())
