"""An AsyncClient whose every request succeeds with status 200, offline."""


class Response:
    status_code = 200

    def __init__(self, payload=None) -> None:
        self._payload = payload or {"rate": 1.0}

    def raise_for_status(self) -> None:
        pass

    def json(self):
        return self._payload


class AsyncClient:
    def __init__(self, *args, **kwargs) -> None:
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    async def get(self, url: str, **kwargs) -> Response:
        return Response()

    async def post(self, url: str, **kwargs) -> Response:
        return Response()
