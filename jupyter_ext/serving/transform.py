"""placeholder"""
class Transformer: pass
