"""The data contract: one pandera DataFrameModel per output table, each column declared once.

``partners`` declares the partner's columns and rules; ``history`` and ``diff`` inherit or
take them from there; ``checks`` names every check by a stable id; ``_common`` holds the
reference sets, patterns and column groups pipeline code imports (without pandas);
``describe`` turns the models into Table Schema fields and the README's column tables.
"""
