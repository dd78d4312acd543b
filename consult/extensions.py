"""Flask extensions, created unbound and initialised in the app factory."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from consult.db import Base

db = SQLAlchemy(model_class=Base)

# The base class of every model. Flask-SQLAlchemy builds ``db.Model`` at run time (Base's
# body plus its table-naming and bind mixins), so a type checker cannot use it as a base
# class; to a checker it is Base, which declares the same columns, registry and metadata.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
# No default limits: each limit is applied where it can keep the form filled.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
