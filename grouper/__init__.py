"""drg.grouper"""
