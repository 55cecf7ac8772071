"""The coder's workbench: `drg serve` runs a local web page and JSON API (drg.web.app) that
group, explain, validate and edit one case at a time, with every code's title.

Needs the optional `web` extra (starlette + uvicorn): pip install 'drg-engine[web]'.
"""
