"""The dashboard's server: app.py behind mldebt's door (Host check, access token, security headers).

`mldebt app` runs `streamlit run serve.py`; Streamlit finds `app` below and serves app.py through it, with the
Guard in front of every route (HTTP and the WebSocket). The rules live in mldebt_core/serving.py.
"""

import os

import streamlit as st
from starlette.middleware import Middleware

from mldebt_core.serving import TOKEN_ENV, Door, Guard

door = Door.from_environ(os.environ)
os.environ.pop(TOKEN_ENV, None)  # read once: the pages and anything they start never see it
app = st.App("app.py", middleware=[Middleware(Guard, door=door)])
