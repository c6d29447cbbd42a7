"""shared_messaging"""
