import gc
import sys

from pipeline.cli import main

code = main()
# The work is done and written; skip the interpreter's last full collection, which would walk
# every object pandas and pandera created (about 0.2 s) only to free memory the exit frees anyway.
gc.freeze()
sys.exit(code)
