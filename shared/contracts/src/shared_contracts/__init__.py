"""shared_contracts"""
