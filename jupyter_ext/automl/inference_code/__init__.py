"""The inference code AutoML models are served with (a folder the serving process loads
`inference.py` from, as it loads a user's entry point)."""
