"""The baseline: a hello-world skill on the same SDK (ask-sdk-core's CustomSkillBuilder).

A module of its own so the cold-start child imports it exactly as Lambda would import a
hello-world function, and the warm benchmark runs the very same handler.
"""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type


class HelloWorld(AbstractRequestHandler):
    def can_handle(self, handler_input):  # type: ignore[no-untyped-def]
        return is_request_type("LaunchRequest")(handler_input) or is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input):  # type: ignore[no-untyped-def]
        return handler_input.response_builder.speak("Hello world!").set_should_end_session(True).response


_builder = CustomSkillBuilder()
_builder.add_request_handler(HelloWorld())
lambda_handler = _builder.lambda_handler()
