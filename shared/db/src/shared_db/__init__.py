"""shared_db"""
