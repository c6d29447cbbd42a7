"""shared_http"""
