"""xlroi's functions in xlwings Lite (Excel on Windows, Mac and the web).

Paste this file into xlwings Lite's main.py and add ``xlroi`` to its requirements.txt. The
functions are the ones of the Windows add-in, ``xlroi.excel``, declared with Lite's decorators:
names, descriptions and argument help come from xlroi's registry, and Lite turns the error
texts they return ("#DIV/0!", "#NUM!", ...) into real Excel errors.
"""
from xlwings import arg, func

from xlroi.excel import declare

ROI = declare("ROI", func, arg)
HR_COST = declare("HR_COST", func, arg)
GOAL_VALUE = declare("GOAL_VALUE", func, arg)
PRORATE = declare("PRORATE", func, arg)
