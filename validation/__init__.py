"""drg.validation"""
