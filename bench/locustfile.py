"""Load test (issue 7): people using the CRM at once, bounded in time, against 127.0.0.1.

    pip install -e ".[bench]"
    PARETOCRM_USER=kam PARETOCRM_PASSWORD=... locust -f bench/locustfile.py --headless \
        -u 32 -r 8 -t 60s --host http://127.0.0.1:8115 --csv /tmp/load

Each simulated user signs in once through the sign-in form (CSRF and all), then mixes the
dashboard, the customer list, the customer 360 page, the API customer detail and list, and
logging an interaction through the API (a write, with the CSRF header of its session).
``bench/run_load.py`` starts the server, runs this file and writes the figures to bench/README.md.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task


class CrmUser(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.get("/login/", name="sign in (form)")
        response = self.client.post(
            "/login/",
            {
                "username": os.environ["PARETOCRM_USER"],
                "password": os.environ["PARETOCRM_PASSWORD"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": self.host + "/login/"},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"sign-in answered {response.status_code}")
        listing = self.client.get("/api/customers/?page=1", name="api customer list").json()
        self.customers = [row["id"] for row in listing["results"]] or [0]

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")

    @task(3)
    def customer_list(self) -> None:
        self.client.get(f"/customers/?page={random.randint(1, 20)}", name="customer list")

    @task(4)
    def customer_360(self) -> None:
        self.client.get(f"/customers/{random.choice(self.customers)}/", name="customer 360")

    @task(4)
    def api_detail(self) -> None:
        self.client.get(f"/api/customers/{random.choice(self.customers)}/", name="api detail")

    @task(2)
    def api_list(self) -> None:
        self.client.get(f"/api/customers/?page={random.randint(1, 20)}", name="api list")

    @task(1)
    def log_interaction(self) -> None:
        self.client.post(
            "/api/interactions/",
            json={
                "customer": random.choice(self.customers),
                "kind": "call",
                "subject": "load test call",
            },
            headers={
                "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                "Referer": self.host + "/",
            },
            name="log interaction",
        )
