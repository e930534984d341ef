"""Routes register and stay plain functions; nothing is served."""


class HTTPException(Exception):
    def __init__(self, status_code: int, detail: str = "") -> None:
        super().__init__(status_code, detail)
        self.status_code = status_code


class Request:
    async def json(self) -> dict:
        return {}


class _State:
    pass


class APIRouter:
    def __init__(self, *args, lifespan=None, **kwargs) -> None:
        self.routes = []
        self.state = _State()
        self.lifespan = lifespan

    def _route(self, *args, **kwargs):
        def register(function):
            self.routes.append(function)
            return function

        return register

    get = post = put = delete = patch = _route

    def on_event(self, name: str):
        return self._route()

    def add_event_handler(self, name: str, handler) -> None:
        self.routes.append(handler)

    def include_router(self, router) -> None:
        self.routes.extend(router.routes)


class FastAPI(APIRouter):
    pass
