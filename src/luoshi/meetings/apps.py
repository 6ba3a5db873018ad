from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "luoshi.meetings"
    label = "meetings"
    verbose_name = "生活会流程（征求意见、谈心谈话、会议）"
