"""The data contract: one pandera DataFrameModel per output table.

Importing this package imports pandas and pandera; import it only where validation happens.
"""
