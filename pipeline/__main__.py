import sys

from pipeline.command import main

sys.exit(main())
