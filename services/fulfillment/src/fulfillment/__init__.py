"""fulfillment"""
