import sys

from station_sync.cli import main

sys.exit(main())
