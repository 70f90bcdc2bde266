"""`smdebug.core`: the framework-neutral names (modes, collections) jupyter_ext provides."""
