"""appointment"""
