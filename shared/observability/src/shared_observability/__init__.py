"""shared_observability"""
