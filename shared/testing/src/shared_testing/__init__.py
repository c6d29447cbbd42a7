"""shared_testing"""
