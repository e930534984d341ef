import os, time, subprocess, sqlite3, requests, httpx, urllib.request
async def f(path):
    time.sleep(1)
    requests.get("http://x")
    httpx.get("http://x")
    urllib.request.urlopen("http://x")
    subprocess.run(["ls"])
    os.system("ls")
    open(path).read()
    os.path.exists(path)
    os.path.abspath(path)
    os.path.join(path, "x")
    sqlite3.connect("x.db")
    input()
