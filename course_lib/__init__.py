"""nncourse's reference implementations: what the chapters teach, in small readable modules.

Plain numpy for what the course builds from scratch; torch only where a chapter is about torch.
"""
__version__ = "0.1.0"
